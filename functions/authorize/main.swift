import LambdaRuntime

await LambdaRuntime.run { context in try AuthorizeFunction.live(environment: context.environment) }
