package engine

import (
	"errors"
	"testing"

	"github.com/opensoftphone/webphone/sipcore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestAppMachine is an app machine whose UAs are built without a
// network (NewUA sends nothing until Start).
func newTestAppMachine() *appMachine {
	return newAppMachine(newRegMachine(), func(ua *sipcore.UA) *reconnector { return &reconnector{ua: ua} })
}

func buildTestUA(gen int, _ []sipcore.Header) (*sipcore.UA, error) {
	return sipcore.NewUA(sipcore.NewConfig(), nil, sipcore.Events{}), nil
}

// TestAppMachineStates: the app state moves as the page is told, nothing
// returns to initializing and nothing leaves closed.
func TestAppMachineStates(t *testing.T) {
	a := newTestAppMachine()
	steps := []struct {
		to    appState
		moved bool
		now   appState
	}{
		{appInitializing, false, appInitializing},
		{appLoaded, true, appLoaded},
		{appStarted, true, appStarted},
		{appStopped, true, appStopped},
		{appInitializing, false, appStopped},
		{appStarted, true, appStarted},
		{appClosed, true, appClosed},
		{appStarted, false, appClosed},
		{appLoaded, false, appClosed},
	}
	for i, s := range steps {
		assert.Equal(t, s.moved, a.setState(s.to), "step %d: to %s", i, s.to)
		assert.Equal(t, s.now, a.current(), "step %d", i)
	}
	assert.True(t, a.closed())
	_, err := a.begin(buildTestUA)
	assert.ErrorIs(t, err, errClosed)
}

// TestAppMachineStartStop follows one UA through begin, startFinished,
// detach and stopped, and checks that a late Stop of an older generation
// leaves a newer UA alone.
func TestAppMachineStartStop(t *testing.T) {
	a := newTestAppMachine()
	a.reg.setWanted(true)
	s, err := a.begin(buildTestUA)
	require.NoError(t, err)
	require.NotNil(t, s.ua)
	assert.Equal(t, 1, s.gen)
	// a second begin while the first attempt runs joins it
	s2, err := a.begin(buildTestUA)
	require.NoError(t, err)
	assert.Nil(t, s2.ua)
	assert.Equal(t, s.done, s2.done)

	current, retry := a.startFinished(s.ua, s.gen, nil)
	assert.True(t, current)
	assert.Nil(t, retry)
	assert.Equal(t, appStarted, a.current())
	assert.Equal(t, s.ua, a.readyUA(s.gen))
	assert.True(t, a.online())

	// registered, then Stop: "unregistered" is due once
	_, ok := a.reg.apply(s.gen, sipcore.RegRegistered, "")
	require.True(t, ok)
	ua, gen := a.detach()
	assert.Equal(t, s.ua, ua)
	assert.Nil(t, a.readyUA(s.gen))
	_, ok = a.reg.apply(s.gen, sipcore.RegUnregistered, "") // the old UA's unREGISTER
	assert.False(t, ok, "events of a detached UA are ignored")
	stopped, wasReg := a.stopped(gen)
	assert.True(t, stopped)
	assert.True(t, wasReg)
	assert.Equal(t, appStopped, a.current())

	// Stop, then Start again before the Stop finished: the new UA owns the
	// state and the late stop changes nothing
	s3, err := a.begin(buildTestUA)
	require.NoError(t, err)
	a.startFinished(s3.ua, s3.gen, nil)
	_, gen = a.detach()
	s4, err := a.begin(buildTestUA)
	require.NoError(t, err)
	a.startFinished(s4.ua, s4.gen, nil)
	stopped, _ = a.stopped(gen)
	assert.False(t, stopped)
	assert.Equal(t, appStarted, a.current())
}

// TestAppMachineStopTwice: a second Stop while the first is still
// finishing (the page calls stop() twice) detaches nothing, and the first
// Stop still ends in "stopped".
func TestAppMachineStopTwice(t *testing.T) {
	a := newTestAppMachine()
	s, err := a.begin(buildTestUA)
	require.NoError(t, err)
	a.startFinished(s.ua, s.gen, nil)
	ua, gen := a.detach()
	require.Equal(t, s.ua, ua)
	ua2, _ := a.detach()
	assert.Nil(t, ua2)
	stopped, _ := a.stopped(gen)
	assert.True(t, stopped, "the first Stop finishes")
	assert.Equal(t, appStopped, a.current())
}

// TestAppMachineFailedStart: a failed first connection gets one
// reconnector; a later begin starts afresh, returns the failed UA to stop
// and cancels that reconnector.
func TestAppMachineFailedStart(t *testing.T) {
	a := newTestAppMachine()
	s, err := a.begin(buildTestUA)
	require.NoError(t, err)
	boom := errors.New("dial failed")
	current, retry := a.startFinished(s.ua, s.gen, boom)
	assert.True(t, current)
	require.NotNil(t, retry)
	ua, startErr := a.startResult()
	assert.Equal(t, s.ua, ua)
	assert.ErrorIs(t, startErr, boom)
	assert.Equal(t, appInitializing, a.current())

	s2, err := a.begin(buildTestUA)
	require.NoError(t, err)
	require.NotNil(t, s2.ua)
	assert.Equal(t, s.ua, s2.failed)
	assert.True(t, retry.cancelled())

	// the first connection of s2 comes up only later, through the flow
	step, ok := a.flowChanged(s2.gen, sipcore.FlowUp, a.flow.upAt)
	require.True(t, ok)
	assert.False(t, step.lateStart, "no start failure recorded for s2 yet")
	a.startFinished(s2.ua, s2.gen, boom)
	step, ok = a.flowChanged(s2.gen, sipcore.FlowUp, a.flow.upAt)
	require.True(t, ok)
	assert.True(t, step.lateStart)
	assert.Equal(t, appStarted, a.current())
	_, ok = a.flowChanged(s.gen, sipcore.FlowLost, a.flow.upAt)
	assert.False(t, ok, "the failed UA's flow no longer counts")
}

// TestAppMachineStaleStartFailureLeavesTheCurrentUAAlone: Stop and Start
// again while the first start is still connecting; when that first
// attempt then fails ("connection superseded"), the UA started since is
// not marked failed, so the next action does not tear it down and start
// afresh.
func TestAppMachineStaleStartFailureLeavesTheCurrentUAAlone(t *testing.T) {
	a := newTestAppMachine()
	s1, err := a.begin(buildTestUA)
	require.NoError(t, err)
	a.detach() // Stop while s1 connects
	s2, err := a.begin(buildTestUA)
	require.NoError(t, err)
	current, _ := a.startFinished(s2.ua, s2.gen, nil)
	require.True(t, current)

	current, retry := a.startFinished(s1.ua, s1.gen, errors.New("connection superseded"))
	assert.False(t, current)
	assert.Nil(t, retry)
	ua, startErr := a.startResult()
	assert.Equal(t, s2.ua, ua)
	assert.NoError(t, startErr, "a replaced UA's failure marked the current one failed")
	s3, err := a.begin(buildTestUA)
	require.NoError(t, err)
	assert.Nil(t, s3.ua, "the started UA was replaced")
	assert.Equal(t, appStarted, a.current())
}
