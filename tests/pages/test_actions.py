"""`ui.actions`, the one way a page runs a write: its message is shown, kept across the rerun the
write asks for, and shown once; a refusal shows the domain's Chinese text. Run in Streamlit's
AppTest on a tiny script (not a page: the helper itself is what is checked here)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script() -> None:
    import streamlit as st

    from credit.errors import CreditError
    from ui import actions

    def refuse() -> None:
        raise CreditError("单位名称不能为空")

    calls = st.session_state.setdefault("calls", [])
    actions.show("slot")
    if st.button("写入并刷新"):
        calls.append("write")
        actions.run("slot", lambda: 7, done=lambda v: f"已保存 {v} 条", rerun=True)
    if st.button("被拒绝"):
        out = actions.run("slot", refuse, now=True, refused="未保存：")
        st.session_state["refused"] = (out.ok, out.error)
    if st.button("就地成功"):
        actions.run("slot", lambda: None, done="已完成", now=True)
    st.button("点别处")


def _app() -> AppTest:
    at = AppTest.from_function(_script, default_timeout=30)
    return at.run()


def test_a_write_that_reruns_shows_its_message_after_the_rerun_and_only_once():
    at = _app()
    at.button[0].click().run()
    assert at.session_state["calls"] == ["write"]  # the rerun did not write again
    assert [s.value for s in at.success] == ["已保存 7 条"] and not at.error
    at.button[3].click().run()  # the next run: the message has been shown, it is gone
    assert not at.success and not at.error


def test_a_refusal_shows_the_domain_message_where_the_button_is_and_writes_nothing():
    at = _app()
    at.button[1].click().run()
    assert [e.value for e in at.error] == ["未保存：单位名称不能为空"] and not at.success
    assert at.session_state["refused"] == (False, "未保存：单位名称不能为空")
    at.button[3].click().run()
    assert not at.error  # drawn in place, nothing kept for later


def test_done_in_place_without_a_rerun_is_drawn_at_once():
    at = _app()
    at.button[2].click().run()
    assert [s.value for s in at.success] == ["已完成"]
    at.button[3].click().run()
    assert not at.success


def test_a_callback_keeps_its_message_for_the_slot():
    def script() -> None:
        import streamlit as st

        from credit.errors import CreditError
        from ui import actions

        def save() -> None:
            def fail() -> None:
                raise CreditError("权重合计须为 100 分")
            actions.run("wi", fail)

        st.button("保存", on_click=save)
        actions.show("wi")

    at = AppTest.from_function(script, default_timeout=30).run()
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["权重合计须为 100 分"]
    at.run()
    assert not at.error
