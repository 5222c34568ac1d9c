"""`python -m attendance_desk` runs the same command line as the `attendance-desk` script."""

import sys

from attendance_desk.cli import main

sys.exit(main())
