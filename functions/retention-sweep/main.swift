import LambdaRuntime

await LambdaRuntime.run { context in try RetentionSweepFunction.live(environment: context.environment) }
