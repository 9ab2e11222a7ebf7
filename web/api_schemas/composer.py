"""Output schemas of the composer's preview (``POST /api/v1/posts/preview``)."""

from __future__ import annotations

from marshmallow import Schema, fields

from web.api_schemas.spec import doc

SEGMENT_KINDS = ("text", "link", "mention", "hashtag")


class SegmentSchema(Schema):
    kind = fields.String(metadata=doc(type="string", enum=list(SEGMENT_KINDS)))
    text = fields.String(metadata=doc(type="string", description="as typed"))
    shown = fields.String(
        metadata=doc(type="string", description="as the network shows it (a link shortened)")
    )


def _nullable_int(description: str) -> dict[str, object]:
    return doc(type=["integer", "null"], description=description)


class NetworkPreviewSchema(Schema):
    """One network's preview, for the chosen accounts counted as that network."""

    network = fields.Function(lambda p: p.preview.network, metadata=doc(type="string"))
    label = fields.Function(lambda p: p.preview.label, metadata=doc(type="string"))
    channels = fields.Function(
        lambda p: list(p.channels),
        metadata=doc(type="array", items={"type": "string"}, description="account names"),
    )
    variant = fields.Function(
        lambda p: p.variant,
        metadata=doc(type="boolean", description="the network's own text, not the main one"),
    )
    text = fields.Function(lambda p: p.preview.text, metadata=doc(type="string"))
    length = fields.Function(
        lambda p: p.preview.length,
        metadata=doc(type="integer", description="counted as the network counts"),
    )
    limit = fields.Function(
        lambda p: p.preview.limit, metadata=_nullable_int("the tightest of the accounts' limits")
    )
    remaining = fields.Function(
        lambda p: p.preview.remaining, metadata=_nullable_int("limit minus length")
    )
    unit = fields.Function(
        lambda p: p.preview.unit,
        metadata=doc(type="string", examples=["characters", "graphemes"]),
    )
    error = fields.Function(
        lambda p: p.preview.error,
        metadata=doc(type=["string", "null"], description="why the text would be refused"),
    )
    url_weight = fields.Function(
        lambda p: p.preview.url_weight,
        metadata=_nullable_int("what each link counts, whatever its length"),
    )
    segments = fields.Function(
        lambda p: SegmentSchema(many=True).dump(p.preview.segments),
        metadata=doc(type="array", items={"$ref": "#/components/schemas/PreviewSegment"}),
    )
