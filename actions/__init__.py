"""The rasa-sdk action server: one module per job. rasa-sdk imports every submodule."""
