"""amazen-user: manage shopper accounts from the command line.

    amazen-user grant-moderator EMAIL     the account with this address may hide any review
    amazen-user revoke-moderator EMAIL    it may no longer

The database is the one the config file's settings and the environment name (as for the app).
"""

import argparse
import sys

from amazen.config import ConfigurationError

from .import_data import database_engine

PROG = "amazen-user"


def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="development.ini", help="ini file (default: development.ini)")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help in (("grant-moderator", "make an account a moderator"), ("revoke-moderator", "make it an ordinary account")):
        command = commands.add_parser(name, help=help)
        command.add_argument("email", help="the account's email address (any case)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        engine = database_engine(args.config)
    except FileNotFoundError:
        sys.exit(f"{PROG}: config file not found: {args.config}")
    except ConfigurationError as err:
        sys.exit(f"{PROG}: {err}")

    import sqlalchemy as sa

    moderator = args.command == "grant-moderator"
    try:
        with engine.begin() as conn:
            found = conn.execute(
                sa.text("UPDATE users SET is_moderator = :moderator WHERE lower(email) = lower(:email) RETURNING email"),
                {"moderator": moderator, "email": args.email.strip()},
            ).scalar()
    except sa.exc.SQLAlchemyError as err:
        sys.exit(f"{PROG}: database error: {str(err).splitlines()[0]}")
    finally:
        engine.dispose()
    if found is None:
        sys.exit(f"{PROG}: no account has the email address {args.email.strip()!r}")
    print(f"{found} is {'now a moderator' if moderator else 'no longer a moderator'}")


if __name__ == "__main__":
    main()
