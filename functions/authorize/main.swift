import LambdaRuntime

await LambdaRuntime.run { context in try await AuthorizeFunction.live(environment: context.environment) }
