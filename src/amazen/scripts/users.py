"""amazen-user: manage shopper accounts from the command line.

    amazen-user grant-moderator EMAIL     the account with this address may hide any review
    amazen-user revoke-moderator EMAIL    it may no longer

The database is the one the config file's settings and the environment name (as for the app).
"""

import argparse
import sys

from .engine import engine_or_exit

PROG = "amazen-user"


def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="development.ini", help="ini file (default: development.ini)")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help in (("grant-moderator", "make an account a moderator"), ("revoke-moderator", "make it an ordinary account")):
        command = commands.add_parser(name, help=help)
        command.add_argument("email", help="the account's email address (any case)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    engine = engine_or_exit(args.config, PROG)

    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from amazen.accounts.services import AccountService

    moderator = args.command == "grant-moderator"
    try:
        with Session(engine) as session, session.begin():
            found = AccountService(session).set_moderator(args.email, moderator)
    except sa.exc.SQLAlchemyError as err:
        sys.exit(f"{PROG}: database error: {str(err).splitlines()[0]}")
    finally:
        engine.dispose()
    if found is None:
        sys.exit(f"{PROG}: no account has the email address {args.email.strip()!r}")
    print(f"{found} is {'now a moderator' if moderator else 'no longer a moderator'}")


if __name__ == "__main__":
    main()
