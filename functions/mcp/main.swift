import LambdaRuntime

await LambdaRuntime.run { context in try MCPFunction.live(environment: context.environment) }
