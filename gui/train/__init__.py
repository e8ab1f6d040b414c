"""The Train tab: settings, progress and curves of a training run, test report, fine-tuning."""
