"""The sample dump's files (scripts/make_samples.py writes them): the forms as printed (specs),
then one module per kind of file written from them (pdf, sheets, word), and the bad files.

Every timestamp a writer puts into a file is PINNED_TIME, so the samples' bytes are the same on
every run (tests/test_run.py regenerates them and compares).
"""

import datetime

PINNED_TIME = datetime.datetime(2023, 1, 1, 0, 0, 0)
