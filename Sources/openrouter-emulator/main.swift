// Runs the OpenRouter emulator as a standalone process (benchmarks, manual testing).
print("openrouter-emulator: not yet implemented")
