import LambdaRuntime

await LambdaRuntime.run { context in try AccountDeleteFunction.live(environment: context.environment) }
