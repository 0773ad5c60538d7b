/**
 * The lk-worker agent API: the only package agent authors compile against (shipped as the
 * {@code api} jar). It depends on nothing but the JDK; agent code may log through SLF4J, which the
 * job process shares with the agent's class loader.
 */
package io.lkworker.api;
