import sys

from aiceberg.cli import main

sys.exit(main())
