/** What the component's tests share: a clock they move themselves. */
package io.offhook.testing;
