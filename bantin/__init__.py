"""bantin: a static site generator for bilingual (Vietnamese/English) campaign news.

The build runs as stages with typed data between them (see ``pipeline.py``):
load sources -> validate -> model -> plan -> render -> write into a fresh folder -> swap.
"""

__version__ = "0.1.0"
