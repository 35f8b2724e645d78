import LambdaRuntime

await LambdaRuntime.run { context in try TokenFunction.live(environment: context.environment) }
