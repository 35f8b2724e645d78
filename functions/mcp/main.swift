import LambdaRuntime

await LambdaRuntime.run { context in try await MCPFunction.live(environment: context.environment) }
