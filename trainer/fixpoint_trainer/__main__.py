import sys

from fixpoint_trainer.cli import main

sys.exit(main())
