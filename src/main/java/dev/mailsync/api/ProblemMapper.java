package dev.mailsync.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.mailsync.service.ConflictException;
import dev.mailsync.service.FieldError;
import dev.mailsync.service.InvalidInputException;
import dev.mailsync.service.MailServerException;
import dev.mailsync.service.NotFoundException;
import dev.mailsync.service.StateExpiredException;
import dev.mailsync.sync.FailureCode;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place errors become HTTP answers: {@code application/problem+json} (RFC 9457) with a stable
 * {@code code}. Unknown failures answer a bare 500 with a reference; the details go to the log only.
 */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response invalid(InvalidInputException e, UriInfo uri) {
        return answer(Problem.invalid(e.errors()), uri);
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e, UriInfo uri) {
        return answer(Problem.of(404, "NOT_FOUND", "Not found", e.getMessage()), uri);
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e, UriInfo uri) {
        return answer(Problem.of(409, e.code(), "Conflict", e.getMessage()), uri);
    }

    /** The client can act on this type: reload the full view, then continue with its state. */
    @ServerExceptionMapper
    public Response stateExpired(StateExpiredException e, UriInfo uri) {
        return answer(Problem.of(410, "STATE_EXPIRED", "State expired: reload the view", e.getMessage()), uri);
    }

    @ServerExceptionMapper
    public Response mailServer(MailServerException e, UriInfo uri) {
        int status = e.code() == FailureCode.TIMEOUT ? 504 : 502;
        return answer(Problem.of(status, e.code().name(), "Mail server access failed", e.getMessage()), uri);
    }

    // Listed one by one: quarkus-rest-jackson has its own mappers for these subtypes, and the most
    // specific mapper wins.
    @ServerExceptionMapper({
        JsonProcessingException.class,
        UnrecognizedPropertyException.class,
        InvalidFormatException.class,
        MismatchedInputException.class
    })
    public Response json(JsonProcessingException e, UriInfo uri) {
        return answer(jsonProblem(e), uri);
    }

    @ServerExceptionMapper
    public Response patchedJson(JsonBodies.PatchFailed e, UriInfo uri) {
        return answer(jsonProblem(e.getCause()), uri);
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated(RuntimeException e, UriInfo uri) {
        return Response.fromResponse(answer(
                        Problem.of(401, "UNAUTHENTICATED", "Unauthenticated", "A valid bearer token is required."),
                        uri))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return answer(Problem.of(403, "FORBIDDEN", "Forbidden", "The token does not grant this operation."), uri);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        Problem problem = switch (e) {
            case NotAllowedException n ->
                Problem.of(
                        405, "METHOD_NOT_ALLOWED", "Method not allowed", "This resource does not support that method.");
            case NotSupportedException n ->
                Problem.of(
                        415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type", "Send the body as application/json.");
            case jakarta.ws.rs.NotFoundException n -> Problem.of(404, "NOT_FOUND", "Not found", "No such resource.");
            case jakarta.ws.rs.NotAcceptableException n ->
                Problem.of(
                        406,
                        "NOT_ACCEPTABLE",
                        "Not acceptable",
                        "This resource answers in a media type the Accept header does not allow.");
            default -> Problem.of(status, status >= 500 ? "INTERNAL" : "BAD_REQUEST", reason(status), null);
        };
        Response response = answer(problem, uri);
        if (e instanceof NotAllowedException) {
            return Response.fromResponse(response)
                    .allow(e.getResponse().getAllowedMethods())
                    .build();
        }
        return response;
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        String reference = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected failure, reference %s", reference);
        return answer(
                Problem.of(
                        500,
                        "INTERNAL",
                        "Internal error",
                        "Something failed inside mailsync; reference " + reference + "."),
                uri);
    }

    private static Problem jsonProblem(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return Problem.invalid(List.of(new FieldError(path(u), "is not a known field")));
        }
        if (e instanceof InvalidFormatException f
                && f.getTargetType() != null
                && f.getTargetType().isEnum()) {
            String allowed = Arrays.stream(f.getTargetType().getEnumConstants())
                    .map(Object::toString)
                    .collect(Collectors.joining(", "));
            return Problem.invalid(List.of(new FieldError(path(f), "must be one of " + allowed)));
        }
        if (e instanceof MismatchedInputException m) {
            String type = m.getTargetType() == null
                    ? "value"
                    : m.getTargetType().getSimpleName().toLowerCase();
            return Problem.invalid(List.of(new FieldError(path(m), "has the wrong type (expected " + type + ")")));
        }
        return Problem.of(400, "MALFORMED_JSON", "Malformed JSON", "The request body is not valid JSON.");
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    private static String reason(int status) {
        Response.Status s = Response.Status.fromStatusCode(status);
        return s == null ? "Error" : s.getReasonPhrase();
    }

    private static Response answer(Problem problem, UriInfo uri) {
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem.at(uri == null ? null : uri.getPath()))
                .build();
    }
}
