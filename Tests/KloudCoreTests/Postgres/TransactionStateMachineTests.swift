import Testing

@testable import KloudCore

@Suite struct TransactionStateMachineTests {
    /// A machine whose body is running with nothing sent yet.
    private func runningBody(isConnectionUsable: Bool = true) -> TransactionStateMachine {
        var machine = TransactionStateMachine()
        _ = machine.start(isConnectionUsable: isConnectionUsable)
        if !isConnectionUsable { _ = machine.connected() }
        return machine
    }

    @Test func sendsBeginWithTheFirstStatementAndCommitsAfterTheBody() {
        var machine = TransactionStateMachine()

        #expect(machine.start(isConnectionUsable: true) == .runBody)
        #expect(machine.statementRequested() == .sendFirstStatement)
        #expect(machine.statementSucceeded() == .returnStatementResult)
        #expect(machine.statementRequested() == .sendStatement)
        #expect(machine.statementSucceeded() == .returnStatementResult)
        #expect(machine.bodySucceeded() == .commit)
        #expect(machine.commitSucceeded() == .succeed)
    }

    @Test func sendsNothingForABodyWithoutStatements() {
        var machine = runningBody()

        #expect(machine.bodySucceeded() == .succeed)
    }

    @Test func reconnectsBeforeUseWhenTheConnectionIsBroken() {
        var machine = TransactionStateMachine()

        #expect(machine.start(isConnectionUsable: false) == .connect)
        #expect(machine.connected() == .runBody)
    }

    @Test func resendsTheFirstStatementOnceWhenTheConnectionDrops() {
        var machine = runningBody()
        _ = machine.statementRequested()

        #expect(machine.statementFailed(isConnectionLost: true) == .connect)
        #expect(machine.connected() == .sendFirstStatement)
        #expect(machine.statementFailed(isConnectionLost: true) == .throwStatementError)
        #expect(machine.bodyFailed() == .fail(commitOutcomeUnknown: false))
    }

    @Test func neverResendsALaterStatement() {
        var machine = runningBody()
        _ = machine.statementRequested()
        _ = machine.statementSucceeded()
        _ = machine.statementRequested()

        #expect(machine.statementFailed(isConnectionLost: true) == .throwStatementError)
        #expect(machine.statementRequested() == .throwStatementError)
    }

    @Test func failsABodyThatSwallowedALostConnection() {
        var machine = runningBody()
        _ = machine.statementRequested()
        _ = machine.statementSucceeded()
        _ = machine.statementRequested()
        _ = machine.statementFailed(isConnectionLost: true)

        #expect(machine.bodySucceeded() == .fail(commitOutcomeUnknown: false))
    }

    @Test func reportsAnUnknownOutcomeWhenTheConnectionDropsDuringCommit() {
        var machine = runningBody()
        _ = machine.statementRequested()
        _ = machine.statementSucceeded()
        _ = machine.bodySucceeded()

        #expect(machine.commitFailed(isConnectionLost: true) == .fail(commitOutcomeUnknown: true))
    }

    @Test func rollsBackWhenTheBodyThrowsAfterBegin() {
        var machine = runningBody()
        _ = machine.statementRequested()
        _ = machine.statementFailed(isConnectionLost: false)

        #expect(machine.bodyFailed() == .rollback)
        #expect(machine.rollbackFinished() == .fail(commitOutcomeUnknown: false))
    }

    @Test func failsWithoutRollbackWhenNothingWasSent() {
        var machine = runningBody()

        #expect(machine.bodyFailed() == .fail(commitOutcomeUnknown: false))
    }

    @Test func failsWhenNoConnectionCanBeOpened() {
        var machine = TransactionStateMachine()
        _ = machine.start(isConnectionUsable: false)

        #expect(machine.connectFailed() == .fail(commitOutcomeUnknown: false))
    }

    @Test func givesTheBodyTheErrorWhenReconnectingForTheResendFails() {
        var machine = runningBody()
        _ = machine.statementRequested()
        _ = machine.statementFailed(isConnectionLost: true)

        #expect(machine.connectFailed() == .throwStatementError)
        #expect(machine.bodyFailed() == .fail(commitOutcomeUnknown: false))
    }
}
