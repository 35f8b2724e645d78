import LambdaRuntime

await LambdaRuntime.run { context in try await ScanFunction.live(environment: context.environment) }
