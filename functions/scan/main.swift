import LambdaRuntime

await LambdaRuntime.run { context in try ScanFunction.live(environment: context.environment) }
