from scheduler.publisher import Publisher
from tests.helpers import declare, queue, status_of


def test_a_promotion_in_the_affected_state_is_held_and_a_service_post_goes_out(app, frozen):
    promo = queue(app)
    service = queue(app, category="service", text="Store opens late today.")
    declared = declare(app)
    assert declared.fan_out.posts_held == 1
    frozen.advance(minutes=11)
    stats = Publisher(app).run_round()
    assert stats.published == 1
    assert status_of(app, promo.id) == "held"
    assert status_of(app, service.id) == "published"
