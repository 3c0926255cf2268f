"""Attribution: who said what, with quotes, reporting cues, coreference and actor linking."""
