package jsbridge

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCookieParams(t *testing.T) {
	assert.Equal(t, "wp_username=bob&WP_password=a+b%3Bc",
		CookieParams("theme=dark; wp_username=bob;WP_password=a%20b%3Bc; wp_=x; other"))
	assert.Equal(t, "", CookieParams(""))
	assert.Equal(t, "wp_x=%25zz", CookieParams("wp_x=%zz"), "a bad escape is kept as written")
}
