"""``python -m wfmath``: the command line, as the ``wfmath`` script runs it."""

from wfmath.cli import main

if __name__ == "__main__":
    main(prog_name="wfmath")
