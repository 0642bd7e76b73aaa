import sys

from aidetector.cli.main import main

sys.exit(main())
