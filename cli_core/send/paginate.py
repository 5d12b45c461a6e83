"""Stage 4 (send) — pagination: when to page, botocore's paginator config, merging pages.

A spec's ``pagination`` block has the keys of botocore's ``paginators-1.json``. By default a
paginated command gathers every page (botocore's paginator does the chaining). It sends one call
instead when the user said ``--no-paginate`` or gave the model's own token or limit members
(``--next-token``, ``--max-results``); the pagination options (``--starting-token``,
``--page-size``, ``--max-items``) make no sense then and are refused.

The merged result follows the reference CLI: result keys concatenated across pages, the
``non_aggregate_keys`` kept, ``NextToken`` (botocore's resume token) added when ``--max-items``
cut the listing short. Every other key of the pages is dropped.
"""

from __future__ import annotations

from cli_core.errors import ParamError
from cli_core.options import PAGINATION

# PaginationConfig key -> the option that sets it, in the order messages name them.
PAGINATION_KEYS = tuple((opt.key, opt.name) for opt in PAGINATION)
_CONFIG_KEYS = (
    "input_token",
    "output_token",
    "limit_key",
    "result_key",
    "more_results",
    "non_aggregate_keys",
)
MAX_ITEMS_WARNING = "warning: Non-positive values for --max-items may result in undefined behavior."


def paginator_config(command) -> dict | None:
    """The command's pagination block as botocore's paginators-1.json wants it, or None."""
    config = command.pagination
    if not config:
        return None
    return {key: config[key] for key in _CONFIG_KEYS if key in config}


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def model_paging_members(command) -> list[str]:
    """The input members the paginator drives itself: the input token(s) and the limit key."""
    config = command.pagination or {}
    return _as_list(config.get("input_token")) + _as_list(config.get("limit_key"))


def given_pagination_options(pagination: dict) -> list[str]:
    """Option names of the pagination settings the user gave, in canonical order."""
    return [option for key, option in PAGINATION_KEYS if pagination.get(key) is not None]


def should_paginate(command, params: dict, paginate: bool, pagination: dict) -> bool:
    """Whether to gather every page; ParamError if pagination options come without paging.

    Paging is off for commands without a pagination block, with ``paginate=False`` (the
    ``--no-paginate`` flag), and when ``params`` hold any of the model's token or limit members.
    """
    if not command.pagination:
        return False
    model_members = [name for name in model_paging_members(command) if params.get(name) is not None]
    if paginate and not model_members:
        return True
    given = given_pagination_options(pagination)
    if given:
        raise ParamError(
            "Cannot specify --no-paginate along with pagination arguments: " + ", ".join(given)
        )
    return False


def shadowed_members(command) -> dict[str, str]:
    """PaginationConfig key -> the input member its option hides, e.g. IAM's own ``MaxItems``.

    A member whose natural option name is a pagination option's (``--max-items``) is hidden
    behind that option while the command pages (the spec gives the member another name).
    """
    from cli_core.shapes.naming import cli_name

    shape = command.input
    if not command.pagination or shape is None:
        return {}
    by_option = {option[2:]: key for key, option in PAGINATION_KEYS}
    return {
        by_option[cli_name(name)]: name for name in shape.members if cli_name(name) in by_option
    }


def unshadow(command, params: dict, paginate: bool, pagination: dict) -> tuple[dict, dict]:
    """``(params, pagination)`` with a shadowed member given back its option when not paging.

    As the reference CLI does: with ``--no-paginate`` (or a model token/limit member given),
    ``iam list-users --max-items 1`` sends the operation's own ``MaxItems`` instead of being
    refused, since ``--max-items`` then names that member again.
    """
    if not command.pagination:
        return params, pagination
    if paginate and not any(params.get(name) is not None for name in model_paging_members(command)):
        return params, pagination
    moved = {
        key: member
        for key, member in shadowed_members(command).items()
        if pagination.get(key) is not None and params.get(member) is None
    }
    if not moved:
        return params, pagination
    params, pagination = dict(params), dict(pagination)
    members = command.input.members
    for key, member in moved.items():
        value = pagination.pop(key)
        params[member] = int(value) if members[member].shape.type in ("integer", "long") else value
    return params, pagination


def pagination_config(pagination: dict) -> dict:
    """botocore's ``PaginationConfig`` from the settings (unset keys left out)."""
    return {key: pagination[key] for key, _ in PAGINATION_KEYS if pagination.get(key) is not None}


def merge_pages(
    pages: list[dict], result_keys: list, non_aggregate: dict, resume_token: str | None
) -> dict:
    """One result from all pages, the way the reference CLI builds it.

    ``result_keys`` are botocore's compiled result expressions (``.search()``/``.expression``),
    ``non_aggregate`` the paginator's non-aggregate part, ``resume_token`` its resume token.
    The pages themselves are left unchanged.
    """
    from botocore.utils import merge_dicts, set_value_from_jmespath

    merged: dict = {}
    for page in pages:
        for expression in result_keys:
            value = expression.search(page)
            if value is None:
                continue
            existing = expression.search(merged)
            if existing is None:
                if isinstance(value, list):
                    value = list(value)
                set_value_from_jmespath(merged, expression.expression, value)
            elif isinstance(value, list):
                existing.extend(value)
            elif isinstance(value, (int, float, str)):
                set_value_from_jmespath(merged, expression.expression, existing + value)
    merge_dicts(merged, non_aggregate)
    if resume_token is not None:
        merged["NextToken"] = resume_token
    return merged
