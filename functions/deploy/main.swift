import LambdaRuntime

await LambdaRuntime.run { context in try await DeployFunction.live(environment: context.environment) }
