"""`python -m tests.collect.aws.live.moto_server -p PORT`: moto's own server (`python -m moto.server`), with
the few calls moto lacks answered empty (see `moto_extras`)."""

from __future__ import annotations

import sys

from tests.collect.aws.live.moto_extras import install

if __name__ == "__main__":
    install()
    from moto.server import main

    main(sys.argv[1:])
