"""Word vectors after training: save/load (io), evaluation (evaluate), and the explorer's
projection/neighbours/align/axes/pretrained modules. Import the submodule you need;
this package imports nothing heavy itself.
"""
