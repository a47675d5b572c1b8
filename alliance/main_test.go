package alliance_test

import (
	"os"
	"testing"

	"github.com/deskpool/deskpool/internal/testenv"
)

// env is this package's database and Redis database.
var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Run(m, "alliance", &env)) }
