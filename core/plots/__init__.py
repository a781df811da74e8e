"""Figure builders: tidy data in, ``plotly.graph_objects.Figure`` out.

One module per domain (``positional``, ``training``, ``explorer``,
``finetune``, ``input_layer``). Builders never show a figure and do no I/O;
they downsample where a screen cannot show more points than pixels.
"""
