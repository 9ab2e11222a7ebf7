from datetime import timedelta
from pathlib import Path

import pytest

from scheduler.config import default_config_text, load_settings
from scheduler.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent


def test_the_packaged_defaults_are_the_repository_config():
    assert default_config_text() == (REPO / "config.toml").read_text("utf-8")


def test_defaults_load_with_sqlite_under_var_and_the_outbox_channel(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, environ={})
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'tactful.db'}"
    assert [c.name for c in settings.channels] == ["outbox"]
    assert settings.policy.thresholds("promotional").inside == 2


def test_env_overrides_any_key_and_database_url_is_a_shorthand(tmp_path):
    settings = load_settings(
        None,
        environ={
            "TACTFUL_WORKER__BATCH_SIZE": "500",
            "TACTFUL_POLICY__PROMOTIONAL__CONTAINING": "4",
            "DATABASE_URL": "postgresql://u@h/db",
        },
    )
    assert settings.batch_size == 500
    assert settings.policy.thresholds("promotional").containing == 4
    assert settings.database_url == "postgresql+psycopg://u@h/db"


def test_an_explicit_file_overrides_defaults_and_env_overrides_the_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[worker]\nbatch_size = 50\nlease_seconds = 30\n")
    settings = load_settings(path, environ={"TACTFUL_WORKER__LEASE_SECONDS": "40"})
    assert settings.batch_size == 50
    assert settings.lease_seconds == 40
    assert settings.retry_max_attempts == 5


def test_tactful_config_env_names_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "other.toml"
    path.write_text("[retry]\nmax_attempts = 9\n")
    assert load_settings(None, environ={"TACTFUL_CONFIG": str(path)}).retry_max_attempts == 9


def test_secrets_come_only_from_env_vars_named_in_config(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        '[[channels]]\nname = "hook"\nnetwork = "webhook"\nurl = "http://127.0.0.1:9/x"\n'
        'secret_env = "HOOK_KEY"\n'
    )
    settings = load_settings(path, environ={"HOOK_KEY": "s3cret", "UNRELATED": "x"})
    assert settings.secret("HOOK_KEY") == "s3cret"
    assert settings.secret("UNRELATED") is None


@pytest.mark.parametrize(
    ("content", "env", "key"),
    [
        ("[worker]\nbatch_size = 0\n", {}, "worker.batch_size"),
        ('[worker]\nbatch_size = "ten"\n', {}, "worker.batch_size"),
        ("[worker]\npublish_interval_seconds = -1\n", {}, "worker.publish_interval_seconds"),
        ("[policy.promotional]\ninside = 7\ncontaining = 3\n", {}, "policy.promotional.inside"),
        ("[policy.lottery]\ninside = 1\ncontaining = 1\n", {}, "policy.lottery"),
        ('[database]\nurl = "mysql://x"\n', {}, "database.url"),
        ("[web]\nport = 70000\n", {}, "web.port"),
        ("[retry]\nmax_delay_seconds = 1\n", {}, "retry.max_delay_seconds"),
        ("[nonsense]\nx = 1\n", {}, "nonsense"),
        ('[[channels]]\nname = "a"\nnetwork = "myspace"\n', {}, "channels[0].network"),
        (
            '[[channels]]\nname = "a"\nnetwork = "outbox"\nregions = ["XX-NOPE"]\n',
            {},
            "channels[0].regions",
        ),
        (
            '[[channels]]\nname = "a"\nnetwork = "outbox"\n[[channels]]\nname = "a"\nnetwork = "outbox"\n',
            {},
            "channels[1].name",
        ),
        ("[incidents]\nbroad_coverage_share = 1.5\n", {}, "incidents.broad_coverage_share"),
        ("[incidents]\nbroad_coverage_minimum = 0\n", {}, "incidents.broad_coverage_minimum"),
        ("[worker\n", {}, "not valid TOML"),
        ("", {"TACTFUL_WORKER__LEASE_SECONDS": "soon"}, "worker.lease_seconds"),
        ("", {"TACTFUL_WEB__SECURE_COOKIES": "maybe"}, "web.secure_cookies"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_key(tmp_path, content, env, key):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
        load_settings(path, environ=env)


def test_a_missing_config_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"missing\.toml"):
        load_settings(tmp_path / "missing.toml", environ={})


def test_the_follow_up_window_is_the_shorter_of_quiet_time_and_correlation_window(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[incidents]\nquiet_hours = 36\ncorrelation_window_hours = 48\n")
    assert load_settings(path, environ={}).follow_up_window == timedelta(hours=36)
    path.write_text("[incidents]\nquiet_hours = 72\ncorrelation_window_hours = 48\n")
    assert load_settings(path, environ={}).follow_up_window == timedelta(hours=48)
