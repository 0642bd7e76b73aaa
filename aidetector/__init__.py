"""aidetector: command line and orchestration over the ML core (`model`), the servers and the gateway."""
