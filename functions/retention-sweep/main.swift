import LambdaRuntime

await LambdaRuntime.run { context in try await RetentionSweepFunction.live(environment: context.environment) }
