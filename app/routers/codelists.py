"""The code lists with their German labels, for forms and portals."""

from fastapi import APIRouter

from app.codelists import CODE_LISTS

router = APIRouter(prefix="/api/v1", tags=["code lists"])


@router.get("/codelists", response_model=dict[str, dict[str, str]])
def code_lists() -> dict[str, dict[str, str]]:
    """Every code list: code → German label."""
    return CODE_LISTS
