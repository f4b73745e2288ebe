"""``python -m memo``: the command line, as the ``memo`` script runs it."""

from ._cli import run

if __name__ == "__main__":
    run()
