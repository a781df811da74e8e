"""Word vectors after training: the container (keyed: ``make_keyed_vectors`` -> gensim
``KeyedVectors``), save/load (io), evaluation (evaluate), and the explorer's
projection/neighbours/align/axes/pretrained modules. Import the submodule you need;
this package imports nothing heavy itself.
"""
