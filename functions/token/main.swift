import LambdaRuntime

await LambdaRuntime.run { context in try await TokenFunction.live(environment: context.environment) }
