"""Flask extensions, created unbound and initialised in create_app."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# create_savepoint lets the test suite run each test inside an outer transaction.
db = SQLAlchemy(model_class=Base, session_options={"join_transaction_mode": "create_savepoint"})
migrate = Migrate()


def str_enum(enum_class, length: int):
    """A column type storing a StrEnum by its values as a plain string (no DB enum type)."""
    return db.Enum(enum_class, native_enum=False, length=length,
                   values_callable=lambda members: [m.value for m in members])


login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
