"""The local service — the error it answers with, in the real service's wire form."""

from __future__ import annotations

# HTTP status the real service uses for each error code it sends.
STATUS_BY_CODE = {
    "ValidationException": 400,
    "SerializationException": 400,
    "UnknownOperationException": 400,
    "ResourceNotFoundException": 404,
    "ConflictException": 409,
    "ServiceQuotaExceededException": 402,
    "ThrottlingException": 429,
    "AccessDeniedException": 403,
    "MissingAuthenticationTokenException": 403,
    "UnrecognizedClientException": 403,
    "InvalidSignatureException": 403,
    "IncompleteSignatureException": 403,
    "RequestEntityTooLargeException": 413,
    "LengthRequiredException": 411,
    "InternalServerException": 500,
}


class ServiceFault(Exception):
    """An error answer: ``code`` becomes ``__type``, ``extra`` adds modeled members.

    A ``fallback`` callable may raise it to answer with any service error.
    """

    def __init__(self, code: str, message: str, status: int | None = None, **extra):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status if status is not None else STATUS_BY_CODE.get(code, 400)
        self.extra = extra

    def body(self) -> dict:
        # Generic AWS JSON clients read lower-case ``message``; the model declares ``Message``,
        # so SDKs that parse modeled error members find it too.
        return {"__type": self.code, "message": self.message, "Message": self.message, **self.extra}


def not_found(resource_type: str, message: str) -> ServiceFault:
    return ServiceFault("ResourceNotFoundException", message, ResourceType=resource_type)
