import LambdaRuntime

await LambdaRuntime.run { context in try await AccountDeleteFunction.live(environment: context.environment) }
