"""healthdir: a community health directory built from small groups' YAML entries."""

__version__ = "0.1.0"
