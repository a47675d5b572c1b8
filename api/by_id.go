package api

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// The handlers of one resource named by an id in the path share one shape:
// the id is read from the path parameter (a malformed one is a 404), the
// JSON body decoded where the call takes one, the call made with the
// request's context, and its answer sent.

// readByID answers with what call returns for the id in the path
// parameter param.
func readByID[Out any](c *fiber.Ctx, param string, call func(context.Context, uuid.UUID) (Out, error)) error {
	return actByID(c, param, fiber.StatusOK, call)
}

// actByID answers, with status, what call returns for the id in the path
// parameter param, for a call that takes no body.
func actByID[Out any](c *fiber.Ctx, param string, status int, call func(context.Context, uuid.UUID) (Out, error)) error {
	id, err := pathID(c, param)
	if err != nil {
		return err
	}
	out, err := call(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(out)
}

// actByIDs is actByID for two ids in the path, parameters outer and inner
// (a webhook and one of its deliveries).
func actByIDs[Out any](c *fiber.Ctx, outer, inner string, status int, call func(context.Context, uuid.UUID, uuid.UUID) (Out, error)) error {
	a, err := pathID(c, outer)
	if err != nil {
		return err
	}
	b, err := pathID(c, inner)
	if err != nil {
		return err
	}
	out, err := call(c.UserContext(), a, b)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(out)
}

// changeByID answers, with status, what call returns for the id in the
// path parameter param and the request's body.
func changeByID[In, Out any](c *fiber.Ctx, param string, status int, call func(context.Context, uuid.UUID, In) (Out, error)) error {
	id, err := pathID(c, param)
	if err != nil {
		return err
	}
	var in In
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := call(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(out)
}

// noContentByID answers 204 No Content once call is done with the id in
// the path parameter param: a DELETE that removes the resource, or a POST
// action (mark read, resolve, hand back, recall) that has nothing to
// return.
func noContentByID(c *fiber.Ctx, param string, call func(context.Context, uuid.UUID) error) error {
	id, err := pathID(c, param)
	if err != nil {
		return err
	}
	if err := call(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
