"""Shared schema pieces: strict input models, skills, family-post kinds, pagination."""

from __future__ import annotations

from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlmodel import SQLModel

# Named constraints make migrations reproducible on both databases. Set here, before any table is
# declared, because every model module imports this one first.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

T = TypeVar("T")

SkillLevel = Literal["初级", "中级", "高级", "技师", "高级技师"]
FamilyKind = Literal["couple", "father_son", "brothers", "other"]
FamilyPostKind = Literal["couple", "father_son", "brothers"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
RegionCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=16)]


class StrictInput(BaseModel):
    """Clients may send only the fields a schema names: ids, counts and owners are never theirs to set."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Skill(StrictInput):
    name: ShortText
    level: SkillLevel | None = None
    years: int = Field(default=0, ge=0, le=50)


class FamilyPosts(StrictInput):
    couple: int = Field(default=0, ge=0, le=500)
    father_son: int = Field(default=0, ge=0, le=500)
    brothers: int = Field(default=0, ge=0, le=500)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
