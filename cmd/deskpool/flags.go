package main

import "flag"

type flagSet = flag.FlagSet

// loadWith loads the configuration: defaults, then DESKPOOL_* variables,
// then args as flags, with extra command-specific flags when given.
func loadWith(name string, args []string, extra func(*flagSet)) (Config, *flagSet, error) {
	c := DefaultConfig()
	if err := c.loadEnv(getenv); err != nil {
		return c, nil, err
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	c.bind(fs)
	if extra != nil {
		extra(fs)
	}
	err := fs.Parse(args)
	return c, fs, err
}
