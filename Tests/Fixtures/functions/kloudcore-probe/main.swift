import LambdaRuntime

await LambdaRuntime.run { context in KloudCoreProbeHandler.live(environment: context.environment) }
