"""``python -m nemt.cli …`` is the ``nemt`` command."""

from nemt.cli import main

if __name__ == "__main__":
    main()
