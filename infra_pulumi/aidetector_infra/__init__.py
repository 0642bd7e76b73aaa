"""Components of the aidetector Pulumi program (one module per concern); `__main__.py` wires them."""
