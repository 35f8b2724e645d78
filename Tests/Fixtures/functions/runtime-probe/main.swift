import LambdaRuntime

await LambdaRuntime.run { context in try RuntimeProbeHandler.live(environment: context.environment) }
