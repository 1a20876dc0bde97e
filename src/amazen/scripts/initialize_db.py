"""amazen-initdb: migrate the database to the latest schema and load the demo catalog if it is empty."""

import argparse
import logging
import sys

from pyramid.paster import get_appsettings, setup_logging

from amazen.config import ConfigurationError, resolve_database_url


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="amazen-initdb", description=__doc__)
    parser.add_argument("config_uri", nargs="?", default="development.ini", help="ini file (default: development.ini)")
    parser.add_argument("--demo-products", type=int, default=300, metavar="N", help="demo catalog size (default: 300 products)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        setup_logging(args.config_uri)
        settings = get_appsettings(args.config_uri)
        url = resolve_database_url(settings, owner=True)
    except FileNotFoundError:
        sys.exit(f"amazen-initdb: config file not found: {args.config_uri}")
    except ConfigurationError as err:
        sys.exit(f"amazen-initdb: {err}")

    from amazen.dbsetup import setup_database

    logging.getLogger("amazen").setLevel(logging.INFO)
    setup_database(url, demo_products=args.demo_products)


if __name__ == "__main__":
    main()
